from django.urls import path

from qadam.contracts import views

app_name = "contracts"
urlpatterns = [
    path("case/<int:pk>/", views.case_card, name="case"),
    path("case/<int:pk>/incomes/", views.incomes_view, name="incomes"),
    path("case/<int:pk>/income-test/", views.computation_view, name="computation"),
    path("case/<int:pk>/new/", views.contract_create_view, name="create"),
    path("income/<int:pk>/remove/", views.income_remove_view, name="income_remove"),
    path("income-test/<int:pk>/", views.income_test_view, name="income_test"),
    path("<int:pk>/", views.contract_detail, name="detail"),
    path("<int:pk>/sign/", views.sign_view, name="sign"),
    path("<int:pk>/measure/", views.measure_add_view, name="measure_add"),
    path("<int:pk>/monitoring/", views.monitoring_view, name="monitoring"),
    path("<int:pk>/extend/", views.extend_view, name="extend"),
    path("<int:pk>/terminate/", views.terminate_view, name="terminate"),
    path("<int:pk>/complete/", views.complete_view, name="complete"),
    path("<int:pk>/print/", views.print_view, name="print"),
    path("reference/", views.reference_list, name="reference"),
    path("reference/new/", views.reference_edit, name="reference_add"),
    path("reference/<int:pk>/", views.reference_edit, name="reference_edit"),
]
