from django.urls import path

from qadam.safety import views

app_name = "safety"
urlpatterns = [
    path("people/<int:pk>/contact/", views.contact_edit, name="contact_edit"),
    path("cases/<int:pk>/", views.case_safety, name="case"),
    path("cases/<int:pk>/plan/", views.plan_view, name="plan"),
    path("cases/<int:pk>/plan/edit/", views.plan_edit, name="plan_edit"),
    path("cases/<int:pk>/plan/print/", views.plan_print, name="plan_print"),
    path("cases/<int:pk>/measures/new/", views.measure_add_view, name="measure_add"),
    path("measures/<int:pk>/extend/", views.measure_extend_view, name="measure_extend"),
    path("measures/<int:pk>/end/", views.measure_end_view, name="measure_end"),
    path("measures/<int:pk>/violations/new/", views.violation_add_view, name="violation_add"),
    path("cases/<int:pk>/stays/new/", views.stay_add_view, name="stay_add"),
    path("stays/<int:pk>/end/", views.stay_end_view, name="stay_end"),
]
