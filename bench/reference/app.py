# The seed's backend health check as it ran (backend-flask/app.py, `python3 -m flask run`): the
# reference the bench compares the TypeScript backend with. Nothing else of the Flask app is needed.
from flask import Flask

app = Flask(__name__)


@app.route('/api/health-check')
def health_check():
    return {'success': True}, 200
