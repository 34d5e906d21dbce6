from django.urls import path

from linkwork.networks import views

urlpatterns = [
    path("people/<int:person_id>/network-map/", views.network_map, name="network_map"),
    path("people/<int:person_id>/network-map/complete/", views.map_complete, name="network_map_complete"),
    path("people/<int:person_id>/network-map/sharing/", views.map_share, name="network_map_share"),
    path(
        "people/<int:person_id>/network-map/download.<str:file_type>",
        views.map_download,
        name="network_map_download",
    ),
    path("network-entries/<int:entry_id>/", views.entry_edit, name="network_entry_edit"),
    path("network-entries/<int:entry_id>/move/", views.entry_move, name="network_entry_move"),
    path("network-entries/<int:entry_id>/remove/", views.entry_remove, name="network_entry_remove"),
]
