"""Pages of the assessment workflow (appointments, results, certificates, referrals)."""

urlpatterns: list = []
