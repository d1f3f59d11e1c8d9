from django.urls import path

from chantier.mail import views

app_name = "mail"
urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("compose/", views.compose, name="compose"),
    path("<int:pk>/", views.message_detail, name="message_detail"),
    path("<int:pk>/retry/", views.message_retry, name="message_retry"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
]
