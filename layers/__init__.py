"""Map layers and HTML the pages draw: base map, organisations, coverage, nearby, popups."""
