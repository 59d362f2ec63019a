"""Reading and validating the inputs: topics, clinics, layouts, glossary and safe readers."""
