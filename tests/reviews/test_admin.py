import pytest
from django.contrib import admin
from django.urls import reverse


def _our_models():
    return [m for m in admin.site._registry if m._meta.app_label in {"reviews", "audits"}]


def test_every_model_of_ours_is_in_the_admin():
    from django.apps import apps

    ours = {m for m in apps.get_models() if m._meta.app_label in {"reviews", "audits"}}
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
