from typing import Annotated

import msgspec
from litestar import Router, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from application.tasks.create_task import CreateTask, CreateTaskHandler
from application.tasks.delete_task import DeleteTask, DeleteTaskHandler
from application.tasks.get_task import GetTask, GetTaskHandler
from application.tasks.list_tasks import ListTasks, ListTasksHandler
from application.tasks.update_task import UpdateTask, UpdateTaskHandler
from domain.tasks import TaskId
from entrypoints.http.route_parts import (
    DEFAULT_PAGE_SIZE,
    BearerRequest,
    PageLimit,
    PageOffset,
    bearer_route,
    caller_id,
)
from entrypoints.http.schemas import CreateTaskRequest, TaskListResponse, TaskResponse, UpdateTaskRequest

# Another account's task is 404 like a missing one; a role without tasks is 403.
_BY_ID = (403, 404, 422)
Completed = Annotated[bool | None, QueryParameter(description="Only completed (true) or open (false) tasks")]


@get("/tasks", **bearer_route(ListTasksHandler, errors=(403, 422)))
async def list_tasks(
    request: BearerRequest,
    list_tasks: NamedDependency[ListTasksHandler],
    limit: PageLimit = DEFAULT_PAGE_SIZE,
    offset: PageOffset = 0,
    completed: Completed = None,
) -> TaskListResponse:
    command = ListTasks(user_id=caller_id(request), completed=completed, limit=limit, offset=offset)
    return TaskListResponse.of(await list_tasks.handle(command))


@post("/tasks", **bearer_route(CreateTaskHandler, status_code=HTTP_201_CREATED, json_body=True, errors=(403,)))
async def create_task(
    data: JSONBody[CreateTaskRequest], request: BearerRequest, create_task: NamedDependency[CreateTaskHandler]
) -> TaskResponse:
    command = CreateTask(
        user_id=caller_id(request), title=data.title, description=data.description, completed=data.completed
    )
    return TaskResponse.of(await create_task.handle(command))


@get("/tasks/{task_id:str}", **bearer_route(GetTaskHandler, errors=_BY_ID))
async def get_task(
    task_id: FromPath[str], request: BearerRequest, get_task: NamedDependency[GetTaskHandler]
) -> TaskResponse:
    return TaskResponse.of(await get_task.handle(GetTask(user_id=caller_id(request), task_id=TaskId(task_id))))


@patch("/tasks/{task_id:str}", **bearer_route(UpdateTaskHandler, json_body=True, errors=_BY_ID))
async def update_task(
    task_id: FromPath[str],
    data: JSONBody[UpdateTaskRequest],
    request: BearerRequest,
    update_task: NamedDependency[UpdateTaskHandler],
) -> TaskResponse:
    command = UpdateTask(
        user_id=caller_id(request),
        task_id=TaskId(task_id),
        title=None if data.title is msgspec.UNSET else data.title,
        description=data.description if isinstance(data.description, str) else None,
        change_description=data.description is not msgspec.UNSET,
        completed=None if data.completed is msgspec.UNSET else data.completed,
    )
    return TaskResponse.of(await update_task.handle(command))


@delete("/tasks/{task_id:str}", **bearer_route(DeleteTaskHandler, status_code=HTTP_204_NO_CONTENT, errors=_BY_ID))
async def delete_task(
    task_id: FromPath[str], request: BearerRequest, delete_task: NamedDependency[DeleteTaskHandler]
) -> None:
    await delete_task.handle(DeleteTask(user_id=caller_id(request), task_id=TaskId(task_id)))


tasks_router = Router(
    path="/",
    route_handlers=[list_tasks, create_task, get_task, update_task, delete_task],
    tags=["tasks"],
)
