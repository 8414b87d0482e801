from django.urls import path

from qadam.cohorts import views

app_name = "cohorts"
urlpatterns = [
    path("", views.overview, name="overview"),
]
