"""`python -m casetracker ...`: the same commands as `flask --app wsgi ...`."""

from flask.cli import FlaskGroup

from casetracker import create_app

cli = FlaskGroup(create_app=create_app, help="casetracker: privacy cases on time.")

if __name__ == "__main__":
    cli()
