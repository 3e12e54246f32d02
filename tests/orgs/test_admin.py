import pytest
from django.contrib import admin
from django.urls import reverse

OUR_APPS = {"ledger", "orgs", "reviews", "harms", "workshops", "audits", "dossiers"}


def _our_models():
    return [m for m in admin.site._registry if m._meta.app_label in OUR_APPS]


def test_every_model_of_ours_is_in_the_admin():
    from django.apps import apps

    ours = {m for m in apps.get_models() if m._meta.app_label in OUR_APPS}
    assert ours == set(_our_models())


@pytest.mark.parametrize("model", _our_models(), ids=lambda m: m.__name__)
def test_admin_lists_and_details_render(client, owner, world, model):
    owner.is_staff = owner.is_superuser = True
    owner.save()
    client.force_login(owner)
    opts = model._meta
    changelist = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert changelist.status_code == 200
    obj = model.objects.order_by("pk").first()
    assert obj is not None
    change = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
    assert change.status_code == 200


@pytest.mark.parametrize("model", _our_models(), ids=lambda m: m.__name__)
def test_the_admin_changes_nothing_not_even_for_a_superuser(client, owner, world, model):
    """Evidence and review data change only through services, which log every change."""
    owner.is_staff = owner.is_superuser = True
    owner.save()
    client.force_login(owner)
    opts = model._meta
    obj = model.objects.order_by("pk").first()
    add = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    assert add.status_code == 403
    before = model.objects.count()
    posted = client.post(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk]),
        {"post": "yes"},
    )
    assert posted.status_code == 403
    assert model.objects.count() == before
    change = client.post(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]), {}
    )
    assert change.status_code == 403
