"""Work-item pages: list, create, detail and its actions, board, My work, team workload."""

from django.urls import path

from opsteam.workflow import views_items as views

urlpatterns = [
    path("items/", views.ItemListView.as_view(), name="item_list"),
    path("items/new/", views.ItemCreateView.as_view(), name="item_create"),
    path("items/<int:pk>/", views.ItemDetailView.as_view(), name="item_detail"),
    path("items/<int:pk>/edit/", views.ItemUpdateView.as_view(), name="item_update"),
    path("items/<int:pk>/move/", views.ItemMoveView.as_view(), name="item_move"),
    path("items/<int:pk>/assign/", views.ItemAssignView.as_view(), name="item_assign"),
    path("items/<int:pk>/status/", views.ItemStatusView.as_view(), name="item_status"),
    path("items/<int:pk>/comment/", views.ItemCommentView.as_view(), name="item_comment"),
    path("items/<int:pk>/attach/", views.ItemAttachView.as_view(), name="item_attach"),
    path("items/<int:pk>/link/", views.ItemLinkView.as_view(), name="item_link"),
    path("links/<int:pk>/remove/", views.ItemUnlinkView.as_view(), name="item_unlink"),
    path(
        "attachments/<int:pk>/",
        views.AttachmentDownloadView.as_view(),
        name="item_attachment",
    ),
    path("processes/<int:pk>/board/", views.BoardView.as_view(), name="board"),
    path("my/", views.MyWorkView.as_view(), name="my_work"),
    path("workload/", views.WorkloadView.as_view(), name="workload"),
]
