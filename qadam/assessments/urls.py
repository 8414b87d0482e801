from django.urls import path

from qadam.assessments import instrument_views, views

app_name = "assessments"
urlpatterns = [
    path("case/<int:pk>/", views.case_assessments, name="case"),
    path("case/<int:pk>/start/", views.assessment_start_view, name="start"),
    path("<int:pk>/", views.detail_view, name="detail"),
    path("<int:pk>/section/<int:n>/", views.section_view, name="section"),
    path("<int:pk>/review/", views.review_view, name="review"),
    path("<int:pk>/complete/", views.complete_view, name="complete"),
    path("<int:pk>/phase/", views.phase_view, name="phase"),
    path("<int:pk>/print/", views.print_view, name="print"),
    path("family/<int:pk>/", views.family_profile, name="family"),
    path("instruments/", instrument_views.instrument_list, name="instruments"),
    path("instruments/import/", instrument_views.instrument_import_view, name="instrument_import"),
    path("instruments/<int:pk>/offer/", instrument_views.instrument_offer_view, name="instrument_offer"),
]
