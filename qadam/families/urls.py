from django.urls import path

from qadam.families import views

app_name = "families"
urlpatterns = [
    path("", views.family_list, name="list"),
    path("new/", views.family_create, name="create"),
    path("<int:pk>/", views.family_detail, name="detail"),
    path("<int:pk>/members/new/", views.member_add, name="member_add"),
    path("<int:pk>/moves/new/", views.move_add, name="move_add"),
    path("people/", views.person_list, name="people"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
]
