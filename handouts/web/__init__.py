"""The staff web app: find, make, print and email handouts in the browser (Flask)."""
