"""The stack's ceiling for the API benchmark: FastAPI's hello-world, served with the app's flags."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/")
async def hello() -> dict[str, bool]:
    return {"ok": True}
