from django.urls import path

from qadam.documents import views

app_name = "documents"
urlpatterns = [
    path("", views.index, name="index"),
    path("cases/<int:pk>/pdf/", views.case_pdf, name="case_pdf"),
    path("cases/export/", views.case_list_export_view, name="case_list_export"),
    path("families/export/", views.family_list_export_view, name="family_list_export"),
    path("report/", views.agency_report, name="agency_report"),
]
