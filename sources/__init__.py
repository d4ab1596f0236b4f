"""Raw sources into the store: the manifest, one reader per source, the build."""
