from django.urls import path

from qadam.insights import views

app_name = "insights"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("card/", views.card, name="card"),
]
