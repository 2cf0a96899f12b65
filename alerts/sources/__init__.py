"""Sources stage: SourceSpec in, Items out (fetch.py does HTTP; parse.py is pure)."""
