from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opsteam.accounts.api.serializers import MeSerializer


class MeView(APIView):
    """Who the caller is: username, roles and their staff record id."""

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)
