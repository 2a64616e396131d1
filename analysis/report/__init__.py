"""Reports: definitions in reports/*.toml, charts built from aggregated query results, one HTML page."""
