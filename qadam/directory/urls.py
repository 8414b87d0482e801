from django.urls import path

from qadam.directory import views

app_name = "directory"
urlpatterns = [
    path("", views.search, name="search"),
    path("organizations/new/", views.organization_create, name="organization_create"),
    path("organizations/<uuid:pk>/", views.organization_detail, name="organization"),
    path("organizations/<uuid:pk>/edit/", views.organization_edit, name="organization_edit"),
    path("organizations/<uuid:pk>/services/new/", views.service_create, name="service_create"),
    path("organizations/<uuid:pk>/locations/new/", views.location_create, name="location_create"),
    path("locations/<uuid:pk>/edit/", views.location_edit, name="location_edit"),
    path("services/<uuid:pk>/", views.service_detail, name="service"),
    path("services/<uuid:pk>/edit/", views.service_edit, name="service_edit"),
    path("services/<uuid:pk>/add/<slug:kind>/", views.service_add, name="service_add"),
    path("services/<uuid:pk>/<slug:kind>/<uuid:part_pk>/remove/", views.service_remove, name="service_remove"),
]
