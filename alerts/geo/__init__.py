"""Geography for the dashboard's flight maps: a gazetteer of launch sites and landing areas,
and land outlines shipped with the package (Natural Earth, public domain; see README.md)."""
