"""Map layers and HTML the pages draw: base map, organisations, coverage, nearby, popups."""

from layers.elements import plain_macros

plain_macros()  # data in a rendered map is never run as a template (layers/elements.py)
