"""``python -m picsart_component.sailor [service METHOD]``: the same as ``picsart-flow sailor``."""

from picsart_component.sailor.command import sailor

sailor(prog_name="python -m picsart_component.sailor")
