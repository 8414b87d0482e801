from django.urls import path

from qadam.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.home, name="home"),
    path("cases/", views.case_list, name="list"),
    path("cases/notes/", views.note_search, name="note_search"),
    path("families/<int:family_pk>/cases/new/", views.case_create, name="create"),
    path("cases/<int:pk>/", views.case_detail, name="detail"),
    path("cases/<int:pk>/print/", views.case_print, name="print"),
    path("cases/<int:pk>/notes/", views.note_create, name="note_create"),
    path("cases/<int:pk>/tasks/", views.task_create, name="task_create"),
    path("cases/<int:pk>/status/", views.case_status, name="status"),
    path("cases/<int:pk>/close/", views.case_close_view, name="close"),
    path("cases/<int:pk>/reopen/", views.case_reopen_view, name="reopen"),
    path("cases/<int:pk>/assign/", views.case_assign_view, name="assign"),
    path("cases/<int:pk>/team/", views.case_team_add_view, name="team_add"),
    path("cases/<int:pk>/team/<int:user_pk>/remove/", views.case_team_remove_view, name="team_remove"),
    path("cases/<int:pk>/restrict/", views.case_restrict_view, name="restrict"),
    path("cases/<int:pk>/perpetrator/", views.perpetrator_add, name="perpetrator_add"),
    path("cases/emergency/", views.emergency, name="emergency"),
    path("tasks/<int:pk>/done/", views.task_done, name="task_done"),
    path("notifications/<int:pk>/read/", views.notification_done, name="notification_read"),
]
