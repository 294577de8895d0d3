"""Pages of case management. A case is named by its public id (or its reference, unique
within one organization); `new/` comes first so that it is never read as a key."""

from django.urls import path

from .views import cases

app_name = "cases"

urlpatterns = [
    path("", cases.CaseListView.as_view(), name="case_list"),
    path("new/", cases.CaseCreateView.as_view(), name="case_create"),
    path("<str:key>/", cases.CaseDetailView.as_view(), name="case_detail"),
    path("<str:key>/transition/", cases.TransitionView.as_view(), name="case_transition"),
    path("<str:key>/reveal/", cases.RevealView.as_view(), name="case_reveal"),
    path("<str:key>/notes/", cases.NoteAddView.as_view(), name="note_add"),
    path("<str:key>/notes/<int:note>/reveal/", cases.NoteRevealView.as_view(), name="note_reveal"),
    path("<str:key>/tasks/", cases.TaskAddView.as_view(), name="task_add"),
    path("<str:key>/tasks/<int:task>/done/", cases.TaskDoneView.as_view(), name="task_done"),
    path("<str:key>/consents/", cases.ConsentRecordView.as_view(), name="consent_record"),
    path(
        "<str:key>/consents/<int:consent>/withdraw/",
        cases.ConsentWithdrawView.as_view(),
        name="consent_withdraw",
    ),
]
