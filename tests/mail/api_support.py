"""Helpers the mail API tests share: the case to open from mail, uploading and downloading files."""

import io

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

REQUEST = {
    "kind": "request",
    "right": "access",
    "jurisdiction": "EU",
    "data_context": "platform",
    "subject": {"country": "DE"},
}


def download_file(reader, attachment_id: int):
    """Download an attachment and close the response, as a server does."""
    response = reader.get(f"/api/v1/attachments/{attachment_id}")
    response.get_data()
    response.close()  # the file stays open until the body is read and closed, as a server does
    return response


def upload_file(api, reference: str, content: bytes, name: str = "Nachweis.pdf"):
    """Upload a PDF to the case through the API."""
    # Encoded here, in memory: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart(
        {"file": FileStorage(io.BytesIO(content), name, content_type="application/pdf")}
    )
    return api.post(
        f"/api/v1/cases/{reference}/attachments",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
