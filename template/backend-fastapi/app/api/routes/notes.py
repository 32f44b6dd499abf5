from fastapi import APIRouter, HTTPException, Response, status
from sqlmodel import col, select

from app.api.deps import CurrentUser
from app.db import SessionDep
from app.models import Note, NoteCreate, NotePublic

router = APIRouter(prefix="/notes", tags=["notes"])


@router.get("", response_model=list[NotePublic])
def list_notes(user: CurrentUser, session: SessionDep) -> list[Note]:
    """The caller's notes, newest first."""
    query = (
        select(Note)
        .where(Note.user_id == user.id)
        .order_by(col(Note.created_at).desc(), col(Note.id).desc())
    )
    return list(session.exec(query))


@router.post("", response_model=NotePublic, status_code=status.HTTP_201_CREATED)
def create_note(body: NoteCreate, user: CurrentUser, session: SessionDep) -> Note:
    note = Note(user_id=user.id, text=body.text)
    session.add(note)
    session.commit()
    session.refresh(note)
    return note


@router.delete("/{note_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_note(note_id: str, user: CurrentUser, session: SessionDep) -> Response:
    note = session.get(Note, note_id)
    # Someone else's note answers exactly like a missing one: no hint that the id exists.
    if note is None or note.user_id != user.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "note not found")
    session.delete(note)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
