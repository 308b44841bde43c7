import inspect
from typing import Annotated, Any

import msgspec
from litestar import Request, Router, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from application.tasks.create_task import CreateTask, CreateTaskHandler
from application.tasks.delete_task import DeleteTask, DeleteTaskHandler
from application.tasks.get_task import GetTask, GetTaskHandler
from application.tasks.list_tasks import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, ListTasks, ListTasksHandler
from application.tasks.update_task import UpdateTask, UpdateTaskHandler
from domain.sessions import Principal
from domain.tasks import TaskId
from entrypoints.http.auth import BEARER, principal_of
from entrypoints.http.schemas import CreateTaskRequest, TaskListResponse, TaskResponse, UpdateTaskRequest
from entrypoints.http.security import require_json_body

_json = [require_json_body]

Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description=f"Page size, 1 to {MAX_LIMIT}")]
Offset = Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET, description="How many tasks to skip")]
Completed = Annotated[bool | None, QueryParameter(description="Only completed (true) or open (false) tasks")]


@get("/tasks", opt=BEARER, description=inspect.getdoc(ListTasksHandler))
async def list_tasks(
    request: Request[Principal, Any, Any],
    list_tasks: NamedDependency[ListTasksHandler],
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
    completed: Completed = None,
) -> TaskListResponse:
    principal = principal_of(request)
    command = ListTasks(user_id=principal.user_id, completed=completed, limit=limit, offset=offset)
    return TaskListResponse.of(await list_tasks.handle(command))


@post(
    "/tasks",
    status_code=HTTP_201_CREATED,
    guards=_json,
    opt=BEARER,
    description=inspect.getdoc(CreateTaskHandler),
)
async def create_task(
    data: JSONBody[CreateTaskRequest],
    request: Request[Principal, Any, Any],
    create_task: NamedDependency[CreateTaskHandler],
) -> TaskResponse:
    principal = principal_of(request)
    command = CreateTask(
        user_id=principal.user_id, title=data.title, description=data.description, completed=data.completed
    )
    return TaskResponse.of(await create_task.handle(command))


@get("/tasks/{task_id:str}", opt=BEARER, description=inspect.getdoc(GetTaskHandler))
async def get_task(
    task_id: FromPath[str], request: Request[Principal, Any, Any], get_task: NamedDependency[GetTaskHandler]
) -> TaskResponse:
    principal = principal_of(request)
    return TaskResponse.of(await get_task.handle(GetTask(user_id=principal.user_id, task_id=TaskId(task_id))))


@patch("/tasks/{task_id:str}", guards=_json, opt=BEARER, description=inspect.getdoc(UpdateTaskHandler))
async def update_task(
    task_id: FromPath[str],
    data: JSONBody[UpdateTaskRequest],
    request: Request[Principal, Any, Any],
    update_task: NamedDependency[UpdateTaskHandler],
) -> TaskResponse:
    principal = principal_of(request)
    command = UpdateTask(
        user_id=principal.user_id,
        task_id=TaskId(task_id),
        title=None if data.title is msgspec.UNSET else data.title,
        description=data.description if isinstance(data.description, str) else None,
        change_description=data.description is not msgspec.UNSET,
        completed=None if data.completed is msgspec.UNSET else data.completed,
    )
    return TaskResponse.of(await update_task.handle(command))


@delete(
    "/tasks/{task_id:str}",
    status_code=HTTP_204_NO_CONTENT,
    opt=BEARER,
    description=inspect.getdoc(DeleteTaskHandler),
)
async def delete_task(
    task_id: FromPath[str], request: Request[Principal, Any, Any], delete_task: NamedDependency[DeleteTaskHandler]
) -> None:
    principal = principal_of(request)
    await delete_task.handle(DeleteTask(user_id=principal.user_id, task_id=TaskId(task_id)))


tasks_router = Router(
    path="/",
    route_handlers=[list_tasks, create_task, get_task, update_task, delete_task],
    tags=["tasks"],
)
