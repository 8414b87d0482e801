from django.urls import path

from qadam.exports import views

app_name = "exports"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("research/", views.research_request, name="research"),
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/download/", views.download, name="download"),
]
