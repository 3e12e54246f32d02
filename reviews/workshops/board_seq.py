"""The live board's change counter. Every write through the board adds one to its
workshop's ``board_seq`` and stamps the card it touched with the new value, so a poll asks
"what changed after N?" (reviews/board/). Stamping before the write is as good as after:
both happen in the write's transaction, under the workshop's row lock, so the counter moves
one writer at a time and a refused write takes its stamp back with it."""

from __future__ import annotations

from reviews.harms.models import Harm

from .models import BoardCard, Consequence, Workshop


def stamp(
    workshop: Workshop,
    *,
    harm: Harm | None = None,
    consequence: Consequence | None = None,
    added: bool = False,
) -> int:
    seq = workshop.board_seq + 1
    Workshop.objects.filter(pk=workshop.pk).update(board_seq=seq)
    workshop.board_seq = seq
    stamps = {"seq": seq, **({"added_seq": seq} if added else {})}
    if harm is not None:
        BoardCard.objects.filter(workshop=workshop, harm=harm).update(**stamps)
    if consequence is not None:
        Consequence.objects.filter(pk=consequence.pk).update(**stamps)
    return seq
