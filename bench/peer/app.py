"""The benchmark peer: Tessera's three benchmarked routes as an idiomatic
Flask-JWT-Extended app, run by bench/run under gunicorn.

    GET  /healthz    unauthenticated JSON
    POST /auth       {"username","password"} -> {"access_token","refresh_token"}
    GET  /protected  @jwt_required() -> {"hello_from": <identity>, "data": [1, 2, 3]}

Users live in SQLite (stdlib) with argon2id hashes at Tessera's parameters.
Configuration comes from the environment: PEER_DATABASE (SQLite file) and
PEER_JWT_SECRET. `python app.py add-user NAME` reads a password from stdin.
"""

import os
import sqlite3
import sys
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from flask import Flask, g, jsonify, request
from flask_jwt_extended import (
    JWTManager,
    create_access_token,
    create_refresh_token,
    get_jwt_identity,
    jwt_required,
)

# OWASP's argon2id parameters, the ones Tessera uses: 19 MiB, 2 passes, 1 lane.
hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
# Verified against for unknown users, so a miss costs what a hit does (as in Tessera).
DUMMY_HASH = hasher.hash("peer timing-equaliser password")
DATABASE = os.environ.get("PEER_DATABASE", "peer.db")

app = Flask(__name__)
app.config["JWT_SECRET_KEY"] = os.environ.get("PEER_JWT_SECRET", "")
app.config["JWT_ACCESS_TOKEN_EXPIRES"] = timedelta(hours=1)
jwt = JWTManager(app)


def db():
    # One connection per request, as in Flask's "Using SQLite 3 with Flask" pattern.
    if "db" not in g:
        g.db = sqlite3.connect(DATABASE)
    return g.db


@app.teardown_appcontext
def close_db(_error):
    connection = g.pop("db", None)
    if connection is not None:
        connection.close()


@app.get("/healthz")
def healthz():
    return jsonify(status="ok")


@app.post("/auth")
def auth():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(msg="Missing JSON in request"), 400
    username = body.get("username")
    password = body.get("password")
    if not username:
        return jsonify(msg="Missing username parameter"), 400
    if not password:
        return jsonify(msg="Missing password parameter"), 400
    row = db().execute(
        "SELECT password_hash FROM users WHERE username = ?", (username,)
    ).fetchone()
    try:
        hasher.verify(row[0] if row else DUMMY_HASH, password)
    except VerificationError:
        return jsonify(msg="Bad username or password"), 401
    if row is None:
        return jsonify(msg="Bad username or password"), 401
    return jsonify(
        access_token=create_access_token(identity=username),
        refresh_token=create_refresh_token(identity=username),
    )


@app.get("/protected")
@jwt_required()
def protected():
    return jsonify(hello_from=get_jwt_identity(), data=[1, 2, 3])


def add_user(username, password):
    with sqlite3.connect(DATABASE) as connection:
        connection.execute(
            "CREATE TABLE IF NOT EXISTS users ("
            " id INTEGER PRIMARY KEY, username TEXT UNIQUE NOT NULL, password_hash TEXT NOT NULL)"
        )
        connection.execute(
            "INSERT INTO users (username, password_hash) VALUES (?, ?)",
            (username, hasher.hash(password)),
        )


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "add-user":
        sys.exit("usage: app.py add-user NAME  (password on stdin)")
    add_user(sys.argv[2], sys.stdin.readline().rstrip("\n"))
