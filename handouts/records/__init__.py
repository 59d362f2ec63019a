"""Records of education given, and the accounts and kits of the web app: one database."""
