"""Pages of case work. Thin: fetch through a selector, validate a form, call a service."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from familysupport.lib import audit, timeline
from familysupport.lib.access import (
    ADMINISTRATOR,
    CASEWORKERS,
    LIST_EXPORTERS,
    STAFF,
    SUPERVISOR,
    check_role,
    has_role,
    role_required,
)
from familysupport.lib.badinput import posted_text, without_nul
from familysupport.lib.counts import CappedIdsPaginator, CappedPaginator
from familysupport.lib.forms import apply_service_errors
from familysupport.lib.redirects import safe_next

from . import contact_rules, phone_pop, privacy_page, restricted, selectors, services
from . import report as case_report
from . import timeline as case_timeline
from .forms import (
    CaseDetailsForm,
    FamilyForm,
    FeedbackForm,
    MergeForm,
    NewCallForm,
    PersonForm,
    ReassignForm,
    ResourceForm,
    ShareForm,
    StatusForm,
    TaskForm,
)
from .models import Case, Person

LIST_PAGE_SIZE = 25
# The case list counts at most this many rows ("1,000+ cases"): a broad filter's exact
# COUNT cost more than the page itself at 300,000 cases (familysupport.lib.counts).
LIST_COUNT_CAP = 1000


def _valid_draft_key(key: str) -> bool:
    """One draft per opened call: its key is the call's uuid."""
    try:
        return str(uuid.UUID(key)) == key
    except ValueError:
        return False


# --- new call -------------------------------------------------------------------------


@role_required(*CASEWORKERS)
def new_call(request: HttpRequest) -> HttpResponse:
    """ "New call" and "Log a contact": each opening is a call of its own, with its own draft.

    GET gives the call its id (a fresh, empty page every time, never the last caller's
    draft). A POST here (no draft) is still accepted: the same form, the same service.
    """
    if request.method == "POST":
        return _call_page(request, key=None)
    url = reverse("cases:call", args=[uuid.uuid4()])
    case = request.GET.get("case", "")
    return redirect(f"{url}?case={case}" if case.isdigit() else url)


@role_required(*CASEWORKERS)
def call(request: HttpRequest, call_id: uuid.UUID) -> HttpResponse:
    return _call_page(request, key=str(call_id))


def _call_page(request: HttpRequest, *, key: str | None) -> HttpResponse:
    """The intake screen: find or create the family, pick or open a case, log the call."""
    draft = selectors.contact_draft_get(user=request.user, key=key) if key else None
    preset_pk = request.GET.get("case", "")
    if not preset_pk.isdigit() and draft:
        preset_pk = str(draft.data.get("preset_case", ""))
    preset_case = None
    if preset_pk.isdigit():
        preset_case = selectors.case_get_for_user(user=request.user, pk=int(preset_pk), write=True)
        if request.method == "GET":
            audit.record_read(preset_case)  # the page shows the case and its family
    restored = False
    if request.method == "POST":
        form = NewCallForm(request.POST, user=request.user)
        if preset_case:  # the case page's form: this case, whatever else was posted
            form.data = form.data.copy()
            form.data["attach"] = f"c{preset_case.pk}"
        if form.is_valid():
            try:
                contact = services.call_log(
                    by=request.user,
                    family=form.family,
                    case=form.case,
                    new_family={
                        "contact_name": form.cleaned_data["name"],
                        "phone": form.cleaned_data["phone"],
                        "email": form.cleaned_data["email"],
                        "zip_code": form.cleaned_data["zip_code"],
                        "state": form.cleaned_data["state"],
                    },
                    new_case={
                        "case_type": form.cleaned_data["case_type"],
                        "risk_level": form.cleaned_data["risk_level"],
                        "external_case_number": form.cleaned_data["external_case_number"],
                        "child_first_name": form.cleaned_data["child_first_name"],
                    },
                    contact=form.contact_data(),
                    draft_key=key,
                    distinct_from=form.strong_matches,
                    phone_call=form.phone_call,
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                # The case page tells the browser to drop its local backup of this call.
                if key:
                    request.session["cases_clear_local_draft"] = key
                messages.success(request, "The call is logged.")
                return redirect(contact.case)
    else:
        initial = {"started_at": timezone.localtime().replace(second=0, microsecond=0)}
        if preset_case:
            initial["attach"] = f"c{preset_case.pk}"
        if draft:
            initial.update(draft.data)
            restored = not phone_pop.is_fresh_pop_draft(draft)
        form = NewCallForm(initial=initial, user=request.user)
    # Keyboard first: the caller's name on a new call, the purpose on a known case.
    form.fields["purpose" if preset_case else "name"].widget.attrs["autofocus"] = True
    selected = _field_value(form, "attach") or NewCallForm.NEW
    suggestions = _suggestions_for(
        request,
        name=_field_value(form, "name"),
        phone=_field_value(form, "phone"),
        number=_field_value(form, "external_case_number"),
        selected=selected,
        preset_case=preset_case,
    )
    context = {
        "form": form,
        "suggestions": suggestions,
        "selected": selected,
        "strong": _strong(form, suggestions),
        "started_epoch": _started_epoch(form),
        "preset_case": preset_case,
        "draft": draft,
        "draft_key": key,
        "restored": restored,
        # Calling back a known case's family: its safe-contact rules at the top.
        "contact_rule": contact_rules.view_for(preset_case.family) if preset_case else None,
        # Started from the screen pop: the phone system's call (banner, its "ended" check).
        "phone_call": phone_pop.phone_call_for_page(
            user=request.user, call_sid=_field_value(form, "phone_call")
        ),
    }
    status = 400 if form.is_bound else 200
    return render(request, "cases/contact_new_call.html", context, status=status)


def _strong(form, suggestions) -> bool:
    """Show "This is a different family" when a strong match is on screen or was found."""
    return bool(getattr(form, "strong_matches", None)) or any(
        s.strong for s in suggestions if s.reasons != ["this case"]
    )


def _started_epoch(form) -> int | None:
    """When the call started, for the page's timer (the browser's clock zone may differ)."""
    value = form["started_at"].value()
    if not isinstance(value, str):
        return int(value.timestamp()) if value else None
    try:
        parsed = form.fields["started_at"].clean(value)
    except ValidationError:
        return None
    return int(parsed.timestamp())


def _field_value(form, name: str) -> str:
    value = form[name].value()
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _searchable(value: str) -> str:
    """What may reach a query before the form has cleaned it: PostgreSQL refuses NUL."""
    return value.replace("\x00", "")


def _suggestions_for(
    request, *, name: str, phone: str, number: str, selected: str, preset_case=None
) -> list:
    if preset_case:
        return [selectors.Suggestion(preset_case.family, ["this case"], [preset_case])]
    name, phone, number = _searchable(name), _searchable(phone), _searchable(number)
    suggestions = selectors.family_suggest(user=request.user, name=name, phone=phone, number=number)
    # A family or case chosen earlier stays offered even if the search fields changed since.
    if selected[:1] in ("c", "f") and selected[1:].isdigit():
        values = {v for s in suggestions for v, _c in s.case_choices}
        values |= {s.family_value for s in suggestions}
        if selected not in values:
            pk = int(selected[1:])
            if selected[0] == "c":
                case = selectors.case_list_visible_to(user=request.user).filter(pk=pk).first()
                if case and case.is_open:
                    suggestions.insert(0, selectors.Suggestion(case.family, ["chosen"], [case]))
            else:
                family = selectors.family_list_visible_to(user=request.user).filter(pk=pk).first()
                if family:
                    suggestions.insert(0, selectors.Suggestion(family, ["chosen"], []))
    return suggestions


@require_POST
@role_required(*CASEWORKERS)
def family_suggest(request: HttpRequest) -> HttpResponse:
    """htmx: possible existing families while the advocate types (debounced by the page).

    POST, not GET: what is typed (a caller's name, phone) must not end up in the URL, and so
    in web server and proxy access logs. It reads and changes nothing.
    """
    selected = request.POST.get("attach", NewCallForm.NEW)[:20]
    suggestions = _suggestions_for(
        request,
        name=request.POST.get("name", "")[:150],
        phone=request.POST.get("phone", "")[:40],
        number=request.POST.get("external_case_number", "")[:40],
        selected=selected,
    )
    # Without the request: a fragment needs none of the page's context processors (they
    # build the whole menu, on every keystroke).
    html = render_to_string(
        "cases/includes/_suggestions.html",
        {
            "suggestions": suggestions,
            "selected": selected,
            "strong": any(s.strong for s in suggestions),
            "different_family": request.POST.get("different_family") == "on",
        },
    )
    return HttpResponse(html)


@require_POST
@role_required(*CASEWORKERS)
def draft_save(request: HttpRequest, key: str) -> HttpResponse:
    """htmx background autosave of the call being written (sent every few seconds)."""
    if not _valid_draft_key(key):
        raise Http404
    data = {k: (v if len(v) > 1 else v[0]) for k, v in request.POST.lists() if v}
    data = without_nul(data)  # a draft keeps what it can; the real save refuses a NUL
    try:
        draft = services.contact_draft_save(by=request.user, key=key, data=data)
    except ValidationError:
        return HttpResponse("The draft is too long to keep here.", status=400)
    response = render(request, "cases/includes/_draft_status.html", {"draft": draft})
    # The page counts an autosave as done only with this header (a login page has none).
    response["X-Draft-Saved"] = timezone.localtime(draft.updated_at).strftime("%H:%M:%S")
    return response


@require_POST
@role_required(*CASEWORKERS)
def draft_discard(request: HttpRequest, key: str) -> HttpResponse:
    if not _valid_draft_key(key):
        raise Http404
    services.contact_draft_discard(by=request.user, key=key)
    # The next page tells the browser to drop its local backup of the call as well.
    request.session["cases_clear_local_draft"] = key
    messages.info(request, "The unsaved call was discarded.")
    return redirect("home")


# --- cases ----------------------------------------------------------------------------


@role_required(*STAFF)
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    filterset = case_report.case_list_filter(user=request.user, params=request.GET)
    paginator: CappedPaginator
    if request.GET.get("q", "").strip():
        # A name search matches thousands of cases for a common surname: select and sort
        # them once (ids only), then read the page's 25 rows by id.
        paginator = CappedIdsPaginator(
            filterset.qs,
            LIST_PAGE_SIZE,
            cap=LIST_COUNT_CAP,
            rows=lambda ids: selectors.case_list_visible_to(user=request.user).filter(pk__in=ids),
        )
    else:
        paginator = CappedPaginator(filterset.qs, LIST_PAGE_SIZE, cap=LIST_COUNT_CAP)
    page = paginator.get_page(request.GET.get("page"))
    status = 200 if not filterset.is_bound or filterset.is_valid() else 400
    audit.record_list(Case, filters=request.GET, rows=paginator.count, shown=len(page.object_list))
    return render(
        request,
        "cases/case_list.html",
        {
            "can_take_calls": selectors.can_change_cases(request.user),
            "can_export": has_role(request.user, LIST_EXPORTERS),
            "filter": filterset,
            "page": page,
            "cases": page.object_list,
            # Restricted cases the user may not open, found by the search: stubs only.
            "restricted_stubs": restricted.stubs_for_search(
                user=request.user, q=request.GET.get("q", "")
            ),
        },
        status=status,
    )


def _case_page(request: HttpRequest, case: Case, *, status: int = 200, **forms) -> HttpResponse:
    user = request.user
    can_change = selectors.can_change_cases(user)
    is_supervisor = user.role == SUPERVISOR
    tasks = list(case.tasks.select_related("owner").order_by("done_at", "due_on"))
    children, members = selectors.persons_of_case(case)
    alerts = list(case.alerts.filter(resolved_at__isnull=True).select_related("raised_by"))
    entries = timeline.entries_for_case(case, user)
    today = timezone.localdate()
    context = {
        "clear_local_draft": request.session.pop("cases_clear_local_draft", ""),
        "case": case,
        "family": case.family,
        "children": children,
        "members": members,
        "tasks": tasks,
        "today": today,
        "alerts": alerts,
        "entries": entries,
        "need_labels": [services.need_label(n) for n in case.needs],
        "can_change": can_change,
        "is_supervisor": is_supervisor,
        # Team HOPE matches are Team HOPE's records: administrators make them too (DESIGN.md),
        # though they only read the case. Mirrors teamhope.selectors.can_match without
        # cases importing teamhope.
        "can_match_volunteer": user.role in CASEWORKERS | {ADMINISTRATOR},
        **privacy_page.for_case(case, user),  # restriction, legal hold, safe-contact banner
    }
    if can_change:
        context["status_form"] = forms.get("status_form") or StatusForm(
            initial={"status": case.status}
        )
        context["details_form"] = forms.get("details_form") or CaseDetailsForm(
            initial={
                "risk_level": case.risk_level,
                "external_case_number": case.external_case_number or "",
            }
        )
        context["task_form"] = forms.get("task_form") or TaskForm()
        context["share_form"] = forms.get("share_form") or ShareForm(user=user)
        # The form read its choices once (cases/forms.py ShareForm): no second query here.
        context["has_resources"] = bool(context["share_form"].fields["resources"].choices)
    if is_supervisor:
        context["reassign_form"] = forms.get("reassign_form") or ReassignForm(
            user=user, initial={"advocate": case.assigned_advocate_id}
        )
    return render(request, "cases/case_detail.html", context, status=status)


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, pk=pk)
    audit.record_read(case)
    return _case_page(request, case)


def _case_action(request, pk: int, form_name: str, form, act) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, pk=pk, write=True)
    if form.is_valid():
        try:
            with transaction.atomic():
                message = act(case, form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, message)
            return redirect(case)
    case.refresh_from_db()
    return _case_page(request, case, status=400, **{form_name: form})


@require_POST
@login_required
def case_status(request: HttpRequest, pk: int) -> HttpResponse:
    def act(case, data):
        services.case_change_status(
            case=case, by=request.user, status=data["status"], reason=data["reason"]
        )
        return f"The case is now {case.get_status_display().lower()}."

    return _case_action(request, pk, "status_form", StatusForm(request.POST), act)


@require_POST
@login_required
def case_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.case_get_for_user(user=request.user, pk=pk)  # 404 before 403
    check_role(request.user, {SUPERVISOR})

    def act(case, data):
        services.case_reassign(case=case, by=request.user, advocate=data["advocate"])
        return f"The case is now assigned to {data['advocate']}."

    form = ReassignForm(request.POST, user=request.user)
    return _case_action(request, pk, "reassign_form", form, act)


@require_POST
@login_required
def case_update(request: HttpRequest, pk: int) -> HttpResponse:
    def act(case, data):
        services.case_update_details(case=case, by=request.user, **data)
        return "The case details are saved."

    return _case_action(request, pk, "details_form", CaseDetailsForm(request.POST), act)


@require_POST
@login_required
def task_create(request: HttpRequest, pk: int) -> HttpResponse:
    def act(case, data):
        services.task_create(case=case, by=request.user, **data)
        return "The task is added."

    return _case_action(request, pk, "task_form", TaskForm(request.POST), act)


@require_POST
@login_required
def task_complete(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.task_get_for_user(user=request.user, pk=pk, write=True)
    try:
        if task.is_done:
            services.task_reopen(task=task, by=request.user)
            messages.info(request, "The task is open again.")
        else:
            services.task_complete(task=task, by=request.user)
            messages.success(request, "The task is done.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(safe_next(request, task.case))


@require_POST
@login_required
def resource_share(request: HttpRequest, pk: int) -> HttpResponse:
    def act(case, data):
        shares = services.resource_share(
            resources=data["resources"], case=case, by=request.user, email=data["email"]
        )
        sent = " and e-mailed to the family" if shares and shares[0].emailed else ""
        message = f"{len(shares)} resource(s) recorded as shared{sent}."
        if data["email"] and not sent:  # say why (consent, no address, safe-contact rules)
            message += f" Not e-mailed: {contact_rules.email_block_reason(case.family)}."
        return message

    return _case_action(request, pk, "share_form", ShareForm(request.POST, user=request.user), act)


@require_POST
@login_required
def alert_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    alert = selectors.alert_get_for_user(user=request.user, pk=pk, write=True)
    try:
        services.alert_resolve(alert=alert, by=request.user, note=posted_text(request, "note"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "The alert is acknowledged.")
    return redirect(alert.case)


@login_required
@require_GET
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contact = selectors.contact_get_for_user(user=request.user, pk=pk)
    audit.record_read(contact)
    return render(
        request,
        "cases/contact_detail.html",
        {
            "contact": contact,
            "case": contact.case,
            "need_labels": [services.need_label(n) for n in contact.needs],
        },
    )


# --- families -------------------------------------------------------------------------


@login_required
@require_GET
def family_detail(request: HttpRequest, pk: int) -> HttpResponse:
    family = selectors.family_get_for_user(user=request.user, pk=pk)
    audit.record_read(family)
    cases = list(
        family.cases.select_related("assigned_advocate")
        .annotate(contact_count=Count("contacts"))
        .order_by("-opened_at")
    )
    merges = list(
        selectors.merge_list_visible_to(user=request.user)
        .filter(Q(source=family) | Q(target=family))
        .order_by("-merged_at")
    )
    shares = list(family.resource_shares.select_related("resource", "shared_by")[:50])
    return render(
        request,
        "cases/family_detail.html",
        {
            "family": family,
            "members": list(family.members.all()),
            "cases": cases,
            "merges": merges,
            "shares": shares,
            "entries": case_timeline.family_entries(
                family=family, cases=cases, merges=merges, user=request.user
            ),
            "can_change": selectors.can_change_cases(request.user),
            "is_supervisor": request.user.role == SUPERVISOR,
            **privacy_page.for_family(family, request.user),
        },
    )


@login_required
def family_edit(request: HttpRequest, pk: int) -> HttpResponse:
    family = selectors.family_get_for_user(user=request.user, pk=pk, write=True)
    if request.method == "GET":
        audit.record_read(family)  # the form shows contact details, address, safe-contact notes
    form = FamilyForm(request.POST or None, instance=family)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.family_update(family=family, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "The family details are saved.")
            return redirect(family)
    status = 400 if form.is_bound else 200
    return render(
        request, "cases/family_edit.html", {"form": form, "family": family}, status=status
    )


@login_required
def person_add(request: HttpRequest, pk: int) -> HttpResponse:
    family = selectors.family_get_for_user(user=request.user, pk=pk, write=True)
    if request.method == "GET":
        audit.record_read(family)
    form = PersonForm(request.POST or None, initial={"role": Person.Role.CHILD})
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.person_add(family=family, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "The family member is added.")
            return redirect(family)
    status = 400 if form.is_bound else 200
    return render(request, "cases/person_add.html", {"form": form, "family": family}, status=status)


@login_required
def family_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Search for the family to keep (name, phone or case number), compare, then merge."""
    family = selectors.family_get_for_user(user=request.user, pk=pk)
    check_role(request.user, {SUPERVISOR})
    if request.method == "GET":
        # The candidates are a search result (as on the new-call screen); this family is read.
        audit.record_read(family)
    form = MergeForm(request.POST or None, user=request.user, source=family)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                merge = services.family_merge(
                    source=family,
                    target=form.cleaned_data["target"],
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    take_from_source=form.cleaned_data["take_from_source"],
                )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "The families are merged. You can undo it on this page.")
            return redirect(merge.target)
    query = request.GET.get("q", "").strip()[:100]
    found = selectors.family_suggest(
        user=request.user,
        name=query or family.contact_name,
        phone=query or family.phone,
        number=query,
    )
    candidates = [s for s in found if s.family.pk != family.pk]
    compare = None
    chosen = request.POST.get("target") or request.GET.get("target")
    if chosen and str(chosen).isdigit() and int(chosen) != family.pk:
        other = (
            selectors.family_list_visible_to(user=request.user)
            .filter(pk=int(chosen), merged_into__isnull=True)
            .first()
        )
        if other is not None:
            audit.record_read(other)
            compare = {
                "source": selectors.family_merge_facts(user=request.user, family=family),
                "target": selectors.family_merge_facts(user=request.user, family=other),
            }
            if not form.is_bound:
                form = MergeForm(initial={"target": other.pk}, user=request.user, source=family)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "cases/family_merge.html",
        {
            "form": form,
            "family": family,
            "candidates": candidates,
            "query": query,
            "compare": compare,
        },
        status=status,
    )


@require_POST
@login_required
def family_unmerge(request: HttpRequest, pk: int) -> HttpResponse:
    merge = selectors.merge_get_for_user(user=request.user, pk=pk, write=True)
    try:
        with transaction.atomic():
            services.family_unmerge(merge=merge, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(merge.target)
    messages.success(request, "The merge is undone.")
    return redirect(merge.source)


# --- family resources -----------------------------------------------------------------


@role_required(*STAFF)
@require_GET
def resource_list(request: HttpRequest) -> HttpResponse:
    resources = (
        selectors.resource_list_visible_to(user=request.user)
        .annotate(
            share_count=Count("shares", distinct=True),
            feedback_count=Count("feedback", distinct=True),
        )
        .order_by("-is_active", "title")
    )
    return render(
        request,
        "cases/resource_list.html",
        {"resources": resources, "can_manage": request.user.role == SUPERVISOR},
    )


@role_required(SUPERVISOR)
def resource_create(request: HttpRequest) -> HttpResponse:
    form = ResourceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                resource = services.resource_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "The resource is added to the library.")
            return redirect(resource)
    status = 400 if form.is_bound else 200
    return render(request, "cases/resource_form.html", {"form": form}, status=status)


@login_required
def resource_edit(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.resource_get_for_user(user=request.user, pk=pk, write=True)
    form = ResourceForm(request.POST or None, request.FILES or None, instance=resource)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.resource_update(resource=resource, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "The resource is saved.")
            return redirect(resource)
    status = 400 if form.is_bound else 200
    return render(
        request, "cases/resource_form.html", {"form": form, "resource": resource}, status=status
    )


@login_required
@require_GET
def resource_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resource = selectors.resource_get_for_user(user=request.user, pk=pk)
    return render(
        request,
        "cases/resource_detail.html",
        {
            "resource": resource,
            "summary": selectors.resource_feedback_summary(resource=resource),
            "comments": list(resource.feedback.exclude(comment="")[:50]),
            "can_manage": request.user.role == SUPERVISOR,
        },
    )


@require_GET
def resource_public(request: HttpRequest, public_id) -> HttpResponse:
    """Public: the page a family opens from the e-mailed link. No family data on it."""
    resource = selectors.resource_get_public(public_id=public_id)
    return render(request, "cases/resource_public.html", {"resource": resource})


RESOURCE_FILE_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "txt": "text/plain; charset=utf-8",
}


@require_GET
def resource_file(request: HttpRequest, public_id) -> FileResponse:
    resource = selectors.resource_get_public(public_id=public_id)
    if not resource.file:
        raise Http404
    name = resource.file.name.rsplit("/", 1)[-1]
    # Only the kinds the form accepts get their own type; anything uploaded before the form
    # checked content (e.g. .html) is served as opaque bytes, never as a page of ours.
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    content_type = RESOURCE_FILE_TYPES.get(suffix, "application/octet-stream")
    return FileResponse(
        resource.file.open("rb"), as_attachment=True, filename=name, content_type=content_type
    )


FEEDBACK_LIMIT = 10  # answers per hour from one address
FEEDBACK_WINDOW = 60 * 60


def _feedback_rate_key(request) -> str:
    import hashlib

    # Only a salted hash of the address is kept, for an hour, in the cache: never stored.
    from django.conf import settings

    # The client's address as the trusted proxies report it: behind a proxy REMOTE_ADDR is
    # the proxy's, and every family would share (and exhaust) one limit.
    ip = audit.client_ip(request) or ""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{ip}".encode()).hexdigest()[:32]
    return f"cases:feedback-rate:{digest}"


def resource_feedback(request: HttpRequest, public_id) -> HttpResponse:
    """Public, anonymous survey about one resource; rate limited per address (hashed)."""
    resource = selectors.resource_get_public(public_id=public_id)
    form = FeedbackForm(request.POST or None)
    if request.method == "POST":
        key = _feedback_rate_key(request)
        cache.add(key, 0, FEEDBACK_WINDOW)
        count = cache.incr(key)
        if count > FEEDBACK_LIMIT:
            return render(
                request, "cases/resource_feedback_limited.html", {"resource": resource}, status=429
            )
        if form.is_valid():
            try:
                services.resource_feedback_submit(resource=resource, **form.feedback_data())
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                return render(
                    request, "cases/resource_feedback_thanks.html", {"resource": resource}
                )
    status = 400 if form.is_bound else 200
    return render(
        request, "cases/resource_feedback.html", {"form": form, "resource": resource}, status=status
    )
