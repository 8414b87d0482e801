from django.urls import path

from qadam.plans import approval_views, views

app_name = "plans"
urlpatterns = [
    path("cases/<int:pk>/", views.case_plans, name="case"),
    path("cases/<int:pk>/new/", views.plan_create_view, name="create"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/edit/", views.plan_update_view, name="update"),
    path("<int:pk>/new-version/", views.plan_new_version_view, name="new_version"),
    path("<int:pk>/goals/", views.goal_add_view, name="goal_add"),
    path("goals/<int:pk>/edit/", views.goal_edit_view, name="goal_edit"),
    path("goals/<int:pk>/remove/", views.goal_remove_view, name="goal_remove"),
    path("goals/<int:pk>/actions/", views.action_add_view, name="action_add"),
    path("actions/<int:pk>/status/", views.action_status_view, name="action_status"),
    path("<int:pk>/submit/", views.plan_submit_view, name="submit"),
    path("<int:pk>/agreement/", views.agreement_view, name="agreement"),
    path("<int:pk>/agreement/scan/", views.agreement_scan, name="scan"),
    path("<int:pk>/print/", views.plan_print, name="print"),
    path("reviews/<int:pk>/done/", views.review_done, name="review_done"),
    path("approvals/", approval_views.approval_list, name="approvals"),
    path("approvals/<int:pk>/", approval_views.approval_detail, name="approval"),
    path("approvals/<int:pk>/approve/", approval_views.approval_approve_view, name="approve"),
    path("approvals/<int:pk>/return/", approval_views.approval_return_view, name="return"),
]
