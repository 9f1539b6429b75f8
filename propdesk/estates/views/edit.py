"""Registry create/edit pages: each parses a form and calls one service (STYLE.md rule 7)."""

from django.contrib import messages
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.core.errors import AppError
from propdesk.core.permissions import Perm, communities_for, require, scope
from propdesk.core.views import console_view, form_page
from propdesk.estates import forms, selectors, services
from propdesk.estates.models import (
    Building,
    Company,
    Owner,
    ParkingSpace,
    ParkingStatus,
    Vehicle,
)
from propdesk.estates.services import registration


def _house_url(house) -> str:
    return reverse("house_detail", args=[house.id])


def _current_owners(house):
    return Owner.objects.filter(ownerships__house=house, ownerships__end_on__isnull=True).order_by(
        "id"
    )


@console_view
def community_create(request):
    require(request.user, Perm.STAFF_MANAGE)
    form = forms.CommunityForm(request.POST or None)
    company = Company.objects.order_by("id").first()

    def save(data):
        nonlocal company
        if company is None:
            company = Company.objects.create(name=data["name"])
        return services.community_create(actor=request.user, company=company, **data)

    return form_page(
        request,
        form=form,
        title=_("New community"),
        save=save,
        success_url=reverse("community_list"),
        cancel_url=reverse("community_list"),
        success_message=_("Community created."),
    )


@console_view
def building_create(request):
    require(request.user, Perm.REGISTRY_EDIT)
    form = forms.BuildingForm(
        request.POST or None,
        communities=communities_for(request.user, Perm.REGISTRY_EDIT),
        initial={"community": request.GET.get("community")},
    )
    return form_page(
        request,
        form=form,
        title=_("New building"),
        save=lambda data: services.building_create(actor=request.user, **data),
        success_url=lambda b: reverse("house_list") + f"?community={b.community_id}",
        cancel_url=reverse("house_list"),
        success_message=_("Building created."),
    )


@console_view
def house_create(request):
    require(request.user, Perm.REGISTRY_EDIT)
    buildings = scope(
        Building.objects.select_related("community"), request.user, Perm.REGISTRY_EDIT
    ).order_by("community__code", "number")
    form = forms.HouseCreateForm(
        request.POST or None, buildings=buildings, initial={"building": request.GET.get("building")}
    )
    return form_page(
        request,
        form=form,
        title=_("New house"),
        save=lambda data: services.house_create(actor=request.user, **data),
        success_url=_house_url,
        cancel_url=reverse("house_list"),
        success_message=_("House registered."),
    )


@console_view
def house_edit(request, house_id: int):
    house = selectors.house_for_user(request.user, house_id, Perm.REGISTRY_EDIT)
    initial = {
        "floor": house.floor,
        "area_m2": house.area_m2,
        "kind": house.kind,
        "delivered_on": house.delivered_on,
    }
    form = forms.HouseEditForm(request.POST or None, initial=initial)
    return form_page(
        request,
        form=form,
        title=_("Edit house %(code)s") % {"code": house.code},
        save=lambda data: services.house_update(actor=request.user, house=house, **data),
        success_url=_house_url,
        cancel_url=_house_url(house),
        success_message=_("Saved."),
    )


@console_view
def house_status(request, house_id: int):
    house = selectors.house_for_user(request.user, house_id, Perm.REGISTRY_EDIT)
    form = forms.HouseStatusForm(request.POST or None, initial={"status": house.status})
    return form_page(
        request,
        form=form,
        title=_("Change the status of %(code)s") % {"code": house.code},
        save=lambda data: services.house_change_status(actor=request.user, house=house, **data),
        success_url=_house_url,
        cancel_url=_house_url(house),
        success_message=_("Status changed."),
    )


@console_view
def house_owner_add(request, house_id: int):
    house = selectors.house_for_user(request.user, house_id, Perm.REGISTRY_EDIT)
    form = forms.HouseOwnerForm(request.POST or None)

    def save(data):
        return registration.owner_register_for_house(
            actor=request.user,
            house=house,
            owner_fields=form.owner_fields(),
            is_primary=data["is_primary"] or None,
            start_on=data["start_on"],
        )

    return form_page(
        request,
        form=form,
        title=_("Add an owner to %(code)s") % {"code": house.code},
        save=save,
        success_url=_house_url(house),
        cancel_url=_house_url(house),
        success_message=_("Owner added."),
        extra={
            "intro": _(
                "An owner already in the archive with this ID number is linked, not duplicated. "
                "To hand the house to new owners, use Transfer instead."
            )
        },
    )


@console_view
def house_transfer(request, house_id: int):
    house = selectors.house_for_user(request.user, house_id, Perm.OWNERSHIP_TRANSFER)
    form = forms.TransferForm(request.POST or None)

    def save(data):
        return registration.transfer_to_owners(
            actor=request.user,
            house=house,
            owners_fields=form.owners_fields(),
            effective_on=data["effective_on"],
            reason=data["reason"],
        )

    return form_page(
        request,
        form=form,
        title=_("Transfer %(code)s to new owners") % {"code": house.code},
        save=save,
        success_url=_house_url(house),
        cancel_url=_house_url(house),
        success_message=_("Transfer recorded; the former owners stay in the history."),
    )


@console_view
def resident_add(request, house_id: int):
    house = selectors.house_for_user(request.user, house_id, Perm.REGISTRY_EDIT)
    form = forms.ResidentForm(request.POST or None)
    return form_page(
        request,
        form=form,
        title=_("Add a resident to %(code)s") % {"code": house.code},
        save=lambda data: services.resident_add(actor=request.user, house=house, **data),
        success_url=_house_url(house),
        cancel_url=_house_url(house),
        success_message=_("Resident added."),
    )


@console_view
def agent_add(request, house_id: int):
    house = selectors.house_for_user(request.user, house_id, Perm.REGISTRY_EDIT)
    form = forms.AgentForm(
        request.POST or None, request.FILES or None, owners=_current_owners(house)
    )

    def save(data):
        return registration.agent_register_with_attorney(
            actor=request.user,
            house=house,
            owner=data["owner"],
            power_of_attorney_file=data["power_of_attorney"],
            name=data["name"],
            mobile=data["mobile"],
            id_number=data["id_number"],
            scope=data["scope"],
            valid_from=data["valid_from"],
            valid_until=data["valid_until"],
        )

    return form_page(
        request,
        form=form,
        title=_("Record an entrusted agent for %(code)s") % {"code": house.code},
        save=save,
        success_url=_house_url(house),
        cancel_url=_house_url(house),
        success_message=_("Entrusted agent recorded with the power of attorney."),
        extra={
            "intro": _(
                "An agent must bring the power of attorney and their own ID card; "
                "the scan is filed in this house's archive."
            )
        },
    )


@console_view
def vehicle_add(request, house_id: int):
    house = selectors.house_for_user(request.user, house_id, Perm.REGISTRY_EDIT)
    form = forms.VehicleForm(request.POST or None, owners=_current_owners(house))
    return form_page(
        request,
        form=form,
        title=_("Register a vehicle for %(code)s") % {"code": house.code},
        save=lambda data: services.vehicle_add(actor=request.user, house=house, **data),
        success_url=_house_url(house),
        cancel_url=_house_url(house),
        success_message=_("Vehicle registered."),
    )


@console_view
def house_document_upload(request, house_id: int):
    house = selectors.house_for_user(request.user, house_id, Perm.ARCHIVE_UPLOAD)
    form = forms.DocumentForm(request.POST or None, request.FILES or None)
    return form_page(
        request,
        form=form,
        title=_("File a document for %(code)s") % {"code": house.code},
        save=lambda data: services.document_upload(
            actor=request.user,
            community=house.community,
            house=house,
            doc_type=data["doc_type"],
            title=data["title"],
            uploaded=data["file"],
        ),
        success_url=_house_url(house),
        cancel_url=_house_url(house),
        success_message=_("Document filed."),
    )


@console_view
def owner_create(request):
    require(request.user, Perm.REGISTRY_EDIT)
    form = forms.OwnerCreateForm(
        request.POST or None, communities=communities_for(request.user, Perm.REGISTRY_EDIT)
    )
    return form_page(
        request,
        form=form,
        title=_("New owner"),
        save=lambda data: services.owner_create(
            actor=request.user, community=data["community"], **form.owner_fields()
        ),
        success_url=lambda owner: reverse("owner_detail", args=[owner.id]),
        cancel_url=reverse("owner_list"),
        success_message=_("Owner registered."),
    )


@console_view
def owner_edit(request, owner_id: int):
    owner = selectors.owner_for_user(request.user, owner_id, Perm.REGISTRY_EDIT)
    initial = {name: getattr(owner, name) for name in forms.OwnerFieldsForm.OWNER_FIELDS}
    form = forms.OwnerFieldsForm(request.POST or None, initial=initial)
    owner_url = reverse("owner_detail", args=[owner.id])
    return form_page(
        request,
        form=form,
        title=_("Edit owner %(name)s") % {"name": owner.name},
        save=lambda data: services.owner_update(request.user, owner, **form.owner_fields()),
        success_url=owner_url,
        cancel_url=owner_url,
        success_message=_("Saved."),
    )


@console_view
def owner_document_upload(request, owner_id: int):
    owner = selectors.owner_for_user(request.user, owner_id, Perm.ARCHIVE_UPLOAD)
    form = forms.DocumentForm(request.POST or None, request.FILES or None)
    owner_url = reverse("owner_detail", args=[owner.id])
    return form_page(
        request,
        form=form,
        title=_("File a document for %(name)s") % {"name": owner.name},
        save=lambda data: services.document_upload(
            actor=request.user,
            community=owner.community,
            owner=owner,
            doc_type=data["doc_type"],
            title=data["title"],
            uploaded=data["file"],
        ),
        success_url=owner_url,
        cancel_url=owner_url,
        success_message=_("Document filed."),
    )


@console_view
def parking_space_create(request):
    require(request.user, Perm.REGISTRY_EDIT)
    form = forms.ParkingSpaceForm(
        request.POST or None, communities=communities_for(request.user, Perm.REGISTRY_EDIT)
    )
    return form_page(
        request,
        form=form,
        title=_("New parking space"),
        save=lambda data: services.parking_space_create(actor=request.user, **data),
        success_url=reverse("parking_list"),
        cancel_url=reverse("parking_list"),
        success_message=_("Parking space created."),
    )


@console_view
def parking_assign(request, house_id: int):
    house = selectors.house_for_user(request.user, house_id, Perm.REGISTRY_EDIT)
    form = forms.ParkingAssignForm(
        request.POST or None,
        spaces=ParkingSpace.objects.filter(
            community_id=house.community_id, status=ParkingStatus.AVAILABLE
        ).order_by("number"),
        owners=_current_owners(house),
        vehicles=Vehicle.objects.filter(house=house, removed_on__isnull=True),
    )
    return form_page(
        request,
        form=form,
        title=_("Let or sell a parking space to %(code)s") % {"code": house.code},
        save=lambda data: services.parking_space_assign(
            actor=request.user,
            space=data["space"],
            status=data["status"],
            holder=data["holder"],
            house=house,
            vehicle=data["vehicle"],
        ),
        success_url=_house_url(house),
        cancel_url=_house_url(house),
        success_message=_("Parking space assigned."),
    )


def _post_action(request, house_id: int, run, done_message: str):
    """A one-click change from the house page (after the browser's confirmation)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        run()
    except AppError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done_message)
    return redirect("house_detail", house_id)


@require_POST
@console_view
def resident_move_out(request, resident_id: int):
    resident = selectors.resident_for_user(request.user, resident_id, Perm.REGISTRY_EDIT)
    return _post_action(
        request,
        resident.house_id,
        lambda: services.resident_move_out(actor=request.user, resident=resident),
        _("Resident marked as moved out."),
    )


@require_POST
@console_view
def agent_revoke(request, agent_id: int):
    agent = selectors.agent_for_user(request.user, agent_id, Perm.REGISTRY_EDIT)
    return _post_action(
        request,
        agent.house_id,
        lambda: services.agent_revoke(
            actor=request.user, agent=agent, reason=request.POST.get("reason", "")
        ),
        _("Entrustment revoked."),
    )


@require_POST
@console_view
def vehicle_remove(request, vehicle_id: int):
    vehicle = selectors.vehicle_for_user(request.user, vehicle_id, Perm.REGISTRY_EDIT)
    return _post_action(
        request,
        vehicle.house_id,
        lambda: services.vehicle_remove(actor=request.user, vehicle=vehicle),
        _("Vehicle removed."),
    )


@require_POST
@console_view
def parking_release(request, space_id: int):
    space = selectors.parking_space_for_user(request.user, space_id, Perm.REGISTRY_EDIT)
    house_id = space.house_id
    run = lambda: services.parking_space_assign(  # noqa: E731
        actor=request.user, space=space, status=ParkingStatus.AVAILABLE
    )
    if house_id is None:
        try:
            run()
        except AppError as exc:
            messages.error(request, str(exc.message))
        return redirect("parking_list")
    return _post_action(request, house_id, run, _("Parking space released."))
