"""`python -m app.openapi`: print the OpenAPI schema the front end's client is generated from."""

from __future__ import annotations

import json
import logging

from app.config import Settings
from app.main import create_app


def main() -> None:
    schema = create_app(Settings(environment="development")).openapi()
    logging.disable(logging.CRITICAL)
    print(json.dumps(schema, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
