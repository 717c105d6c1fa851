"""Server-rendered pages (Jinja2, HTMX where it helps), in English and Chinese, served with the API."""
