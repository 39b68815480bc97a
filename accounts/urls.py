from __future__ import annotations

from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("users/", views.user_list, name="user_list"),
    path("users/invite/", views.user_invite, name="user_invite"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/edit/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("users/<int:pk>/reactivate/", views.user_reactivate, name="user_reactivate"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("users/<int:pk>/resend-invite/", views.user_resend_invite, name="user_resend_invite"),
    path("invite/<str:uidb64>/<str:token>/", views.invite_accept, name="invite_accept"),
    path("audit/", views.audit_list, name="audit_list"),
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/<str:name>/run/", views.job_run_now, name="job_run_now"),
    path("me/taking-calls/", views.taking_calls, name="taking_calls"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/badge/", views.notification_badge, name="notification_badge"),
    path("notifications/read/", views.notification_mark_read, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", views.notification_mark_read, name="notification_read"),
]
