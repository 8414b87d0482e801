from django.urls import path

from qadam.consent import views

app_name = "consent"
urlpatterns = [
    path("people/<int:pk>/", views.person_consents, name="person"),
]
