"""Detection stage: Item in, Verdict with Facts out. Pure; cue words per language are data."""
