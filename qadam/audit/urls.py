from django.urls import path

from qadam.audit import views

app_name = "audit"
urlpatterns = [
    path("history/<slug:target_type>/<int:target_id>/", views.record_history, name="history"),
    path("log/", views.log_search, name="log"),
]
