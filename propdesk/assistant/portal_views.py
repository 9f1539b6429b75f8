"""The owner portal's "ask a question" page (/assistant/ask/): answer, "did this help?", and a
hand-off to a person that files an inquiry request."""

import contextlib

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.assistant import faq, faq_services
from propdesk.core import errors


def _owner(request):
    from propdesk.portal import access

    if not access.is_portal_user(request.user):
        return None
    return access.house_rights(request.user)


def _login(request):
    return redirect(f"{reverse('portal:login')}?next={request.path}")


def ask(request):
    rights = _owner(request)
    if rights is None:
        return _login(request)
    if not rights:
        messages.info(request, _("Ask to be linked to your house first."))
        return redirect("portal:link_request")
    context = {"rights": rights, "record": None, "answer": None, "error": "", "question": ""}
    status = 200
    if request.method == "GET" and request.GET.get("unhelpful"):
        with contextlib.suppress(errors.NotFound):
            context["record"] = faq_services.own(request.user, request.GET["unhelpful"])
        context["unhelpful"] = True
    if request.method == "POST":
        context["question"] = request.POST.get("question", "")[:600]
        try:
            record, answer = faq_services.ask(
                actor=request.user,
                question=request.POST.get("question"),
                house_id=request.POST.get("house"),
            )
        except errors.NotFound as exc:
            context["error"] = str(exc.message)
            status = 400
        except errors.ValidationFailed as exc:
            context["error"] = str(exc.message)
            status = 400
        else:
            context.update({"record": record, "answer": answer, "confident": faq.CONFIDENT})
    return render(request, "assistant/portal_ask.html", context, status=status)


@require_POST
def feedback(request, ask_id: int):
    if _owner(request) is None:
        return _login(request)
    helpful = request.POST.get("helpful") == "yes"
    try:
        faq_services.feedback(actor=request.user, ask_id=ask_id, helpful=helpful)
    except errors.NotFound as exc:
        raise Http404 from exc
    if helpful:
        messages.success(request, _("Thank you. Glad it helped."))
        return redirect("portal:home")
    messages.info(request, _("Sorry it did not help. Send it to a person below."))
    return redirect(f"{reverse('assistant_ask')}?unhelpful={ask_id}")


@require_POST
def hand_off(request, ask_id: int):
    if _owner(request) is None:
        return _login(request)
    try:
        created = faq_services.hand_off(
            actor=request.user, ask_id=ask_id, house_id=request.POST.get("house")
        )
    except errors.NotFound as exc:
        raise Http404 from exc
    except errors.Conflict as exc:
        messages.info(request, str(exc.message))
        return redirect("portal:requests")
    messages.success(
        request,
        _("Sent to customer service as %(number)s; you will have a reply within 24 hours.")
        % {"number": created.number},
    )
    return redirect("portal:request", request_id=created.pk)
