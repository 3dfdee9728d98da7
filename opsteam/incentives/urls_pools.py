"""Incentives pages: bonus policies, bonus pools and the reward ledger."""

from django.urls import path

from opsteam.incentives import views_pools as views

urlpatterns = [
    path("policies/", views.PolicyListView.as_view(), name="policy_list"),
    path("policies/new/", views.PolicyCreateView.as_view(), name="policy_create"),
    path("policies/<int:pk>/", views.PolicyDetailView.as_view(), name="policy_detail"),
    path("policies/<int:pk>/edit/", views.PolicyUpdateView.as_view(), name="policy_edit"),
    path("pools/", views.PoolListView.as_view(), name="pool_list"),
    path("pools/new/", views.PoolCreateView.as_view(), name="pool_create"),
    path("pools/<int:pk>/", views.PoolDetailView.as_view(), name="pool_detail"),
    path("pools/<int:pk>/allocate/", views.PoolAllocateView.as_view(), name="pool_allocate"),
    path("pools/<int:pk>/submit/", views.PoolSubmitView.as_view(), name="pool_submit"),
    path("pools/<int:pk>/decide/", views.PoolDecideView.as_view(), name="pool_decide"),
    path("pools/<int:pk>/export/", views.PoolExportView.as_view(), name="pool_export"),
    path("pools/<int:pk>/what-if/", views.PoolSimulateView.as_view(), name="pool_simulate"),
    path("rewards/", views.RewardListView.as_view(), name="reward_list"),
    path("rewards/mine/", views.MyRewardsView.as_view(), name="my_rewards"),
    path("rewards/grant/", views.RewardGrantView.as_view(), name="reward_grant"),
]
