"""Geography: addresses, the gazetteer and geocoder, coverage, nearby search, regions."""
