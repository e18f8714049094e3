"""The offline basemap file (``ops.basemap``, a PMTiles archive), served with HTTP range
requests: a PMTiles reader in the browser fetches the header, its directories and each
tile as byte ranges of this one URL. Behind the policy gate like every other route."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from kuzet.api.context import Ctx
from kuzet.api.errors import ERROR_RESPONSES, ApiError
from kuzet.api.routers.ops_center import ops_config

router = APIRouter(prefix="/api/ops", tags=["ops"], responses=ERROR_RESPONSES)


@router.get(
    "/basemap.pmtiles",
    response_class=FileResponse,
    summary="The offline basemap (PMTiles), by byte ranges",
    responses={
        200: {"content": {"application/vnd.pmtiles": {}}, "description": "The whole file"},
        206: {"content": {"application/vnd.pmtiles": {}}, "description": "`Range: bytes=a-b`"},
    },
)
def basemap(ctx: Ctx) -> FileResponse:
    """The whole file, or with ``Range: bytes=a-b`` just those bytes (206). 404
    ``no_basemap`` when the site names none (the UI then draws its outline map)."""
    path = ops_config(ctx).basemap
    if path is None or not path.is_file():
        raise ApiError(404, "no_basemap", "this site has no basemap file")
    # Cached by the browser (it is public map data), revalidated by its ETag.
    headers = {"Cache-Control": "private, max-age=3600"}
    return FileResponse(path, media_type="application/vnd.pmtiles", headers=headers)
