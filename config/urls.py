from django.urls import include, path

from qadam.accounts import views as account_views

urlpatterns = [
    path("", include("qadam.cases.urls")),
    path("accounts/", include("qadam.accounts.urls")),
    path("audit/", include("qadam.audit.urls")),
    path("families/", include("qadam.families.urls")),
    path("consent/", include("qadam.consent.urls")),
    path("assessments/", include("qadam.assessments.urls")),
    path("directory/", include("qadam.directory.urls")),
    path("hsds/", include("qadam.directory.hsds_urls")),
    path("plans/", include("qadam.plans.urls")),
    path("contracts/", include("qadam.contracts.urls")),
    path("safety/", include("qadam.safety.urls")),
    path("referrals/", include("qadam.referrals.urls")),
    path("insights/", include("qadam.insights.urls")),
    path("cohorts/", include("qadam.cohorts.urls")),
    path("exports/", include("qadam.exports.urls")),
    path("documents/", include("qadam.documents.urls")),
    path("healthz", account_views.healthz, name="healthz"),
]
