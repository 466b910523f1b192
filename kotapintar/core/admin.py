"""Admin of the kernel: the working-day calendar's exceptions and the notification outbox.

Both write only through services, so the admin audits and clears caches like every other
entry point.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .errors import DomainError
from .models import CalendarDay, Notification
from .notifications import notification_resend


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "description"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["description"]
    ordering = ["-date"]
    actions = ["delete_through_service"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # replaced by the audited action below
        return actions

    def save_model(self, request, obj, form, change):
        data = {"date": obj.date, "kind": obj.kind, "description": obj.description}
        if change:
            saved = services.calendar_day_update(actor=request.user, day=obj, **data)
        else:
            saved = services.calendar_day_create(actor=request.user, **data)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.calendar_day_delete(actor=request.user, day=obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for day in queryset:
                services.calendar_day_delete(actor=request.user, day=day)

    @admin.action(description=_("Delete the selected calendar entries"), permissions=["delete"])
    def delete_through_service(self, request, queryset):
        count = queryset.count()
        self.delete_queryset(request, queryset)
        self.message_user(
            request,
            ngettext("%(n)d calendar entry deleted.", "%(n)d calendar entries deleted.", count) % {"n": count},
            messages.SUCCESS,
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class ServiceCheckedForm(form):  # type: ignore[valid-type,misc]
            """Shows the service's rule violations next to the form instead of a crash."""

            def clean(self):
                cleaned = super().clean()
                date, kind = cleaned.get("date"), cleaned.get("kind")
                description = cleaned.get("description") or ""
                if date and kind:
                    try:
                        services.check_calendar_day(
                            date=date, kind=kind, description=description, exclude_pk=getattr(obj, "pk", None)
                        )
                    except DomainError as exc:
                        if exc.code != "duplicate":  # the form's own unique check already says so
                            self.add_error(None, exc.message)
                return cleaned

        return ServiceCheckedForm


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The outbox, read-only: what was sent to whom, what failed and why."""

    list_display = ["created_at", "channel", "recipient", "address", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel", "kind", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["subject", "address", "dedupe_key", "recipient__email", "recipient__full_name"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]
    readonly_fields = [f.name for f in Notification._meta.fields]
    actions = ["send_again"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm("core.change_notification"):
            actions.pop("send_again", None)
        return actions

    @admin.action(description=_("Send again (failed messages only)"))
    def send_again(self, request, queryset):
        queued = skipped = 0
        for pk in queryset.values_list("pk", flat=True):
            if notification_resend(actor=request.user, notification=Notification(pk=pk)):
                queued += 1
            else:
                skipped += 1
        if queued:
            self.message_user(
                request,
                ngettext("%(n)d message queued to be sent again.", "%(n)d messages queued to be sent again.", queued)
                % {"n": queued},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(n)d message was not failed, so it was not sent again.",
                    "%(n)d messages were not failed, so they were not sent again.",
                    skipped,
                )
                % {"n": skipped},
                messages.WARNING,
            )


from . import admin_audit  # noqa: F401,E402
