from django.urls import path

from qadam.referrals import views

app_name = "referrals"
urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("case/<int:pk>/", views.case_referrals, name="case"),
    path("case/<int:pk>/new/", views.referral_create, name="create"),
    path("case/<int:pk>/transfer/", views.transfer_create, name="transfer_create"),
    path("<int:pk>/", views.referral_detail, name="detail"),
    path("<int:pk>/confirm/", views.referral_confirm, name="confirm"),
    path("<int:pk>/override/", views.referral_override_view, name="override"),
    path("<int:pk>/discard/", views.referral_discard_view, name="discard"),
    path("<int:pk>/answer/", views.referral_answer_view, name="answer"),
    path("transfers/<int:pk>/", views.transfer_detail, name="transfer"),
    path("transfers/<int:pk>/accept/", views.transfer_accept, name="transfer_accept"),
    path("transfers/<int:pk>/reject/", views.transfer_reject, name="transfer_reject"),
]
