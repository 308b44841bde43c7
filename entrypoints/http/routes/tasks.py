from typing import Annotated

import msgspec
from litestar import Router, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from application.tasks.create_task import CreateTask, CreateTaskHandler
from application.tasks.delete_task import DeleteTask, DeleteTaskHandler
from application.tasks.get_task import GetTask, GetTaskHandler
from application.tasks.list_tasks import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, ListTasks, ListTasksHandler
from application.tasks.update_task import UpdateTask, UpdateTaskHandler
from domain.tasks import TaskId
from entrypoints.http.route_parts import BearerRequest, bearer_route, caller_id
from entrypoints.http.schemas import CreateTaskRequest, TaskListResponse, TaskResponse, UpdateTaskRequest

Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description=f"Page size, 1 to {MAX_LIMIT}")]
Offset = Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET, description="How many tasks to skip")]
Completed = Annotated[bool | None, QueryParameter(description="Only completed (true) or open (false) tasks")]


@get("/tasks", **bearer_route(ListTasksHandler))
async def list_tasks(
    request: BearerRequest,
    list_tasks: NamedDependency[ListTasksHandler],
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
    completed: Completed = None,
) -> TaskListResponse:
    command = ListTasks(user_id=caller_id(request), completed=completed, limit=limit, offset=offset)
    return TaskListResponse.of(await list_tasks.handle(command))


@post("/tasks", **bearer_route(CreateTaskHandler, status_code=HTTP_201_CREATED, json_body=True))
async def create_task(
    data: JSONBody[CreateTaskRequest], request: BearerRequest, create_task: NamedDependency[CreateTaskHandler]
) -> TaskResponse:
    command = CreateTask(
        user_id=caller_id(request), title=data.title, description=data.description, completed=data.completed
    )
    return TaskResponse.of(await create_task.handle(command))


@get("/tasks/{task_id:str}", **bearer_route(GetTaskHandler))
async def get_task(
    task_id: FromPath[str], request: BearerRequest, get_task: NamedDependency[GetTaskHandler]
) -> TaskResponse:
    return TaskResponse.of(await get_task.handle(GetTask(user_id=caller_id(request), task_id=TaskId(task_id))))


@patch("/tasks/{task_id:str}", **bearer_route(UpdateTaskHandler, json_body=True))
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


@delete("/tasks/{task_id:str}", **bearer_route(DeleteTaskHandler, status_code=HTTP_204_NO_CONTENT))
async def delete_task(
    task_id: FromPath[str], request: BearerRequest, delete_task: NamedDependency[DeleteTaskHandler]
) -> None:
    await delete_task.handle(DeleteTask(user_id=caller_id(request), task_id=TaskId(task_id)))


tasks_router = Router(
    path="/",
    route_handlers=[list_tasks, create_task, get_task, update_task, delete_task],
    tags=["tasks"],
)
