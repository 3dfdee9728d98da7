from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """Page-number pagination; clients may ask for up to 500 rows per page."""

    page_size_query_param = "page_size"
    max_page_size = 500

    def get_schema_operation_parameters(self, view):
        """Document the bounds: pages count from 1, at most ``max_page_size`` rows a page."""
        from opsteam.core.api.serializers import MAX_ID

        bounds = {
            self.page_query_param: {"minimum": 1, "maximum": MAX_ID},
            self.page_size_query_param: {"minimum": 1, "maximum": self.max_page_size},
        }
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters
