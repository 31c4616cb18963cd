from django.urls import path

from balai.org import views_auth, views_pegawai, views_tree, views_users

app_name = "org"
urlpatterns = [
    # sign-in and account (views_auth)
    path("login/", views_auth.login_view, name="login"),
    path("logout/", views_auth.logout_view, name="logout"),
    path("second-factor/", views_auth.second_factor, name="second_factor"),
    path("password/", views_auth.password_change, name="password_change"),
    path("tokens/", views_auth.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views_auth.token_revoke, name="token_revoke"),
    # org tree (views_tree)
    path("units/", views_tree.tree, name="tree"),
    path("units/import/", views_tree.unit_import, name="unit_import"),
    path("units/<str:code>/", views_tree.unit_detail, name="unit_detail"),
    path("units/<str:code>/edit/", views_tree.unit_edit, name="unit_edit"),
    path("units/<str:code>/add/", views_tree.unit_add_child, name="unit_add_child"),
    # ASN register (views_pegawai)
    path("pegawai/", views_pegawai.pegawai_list, name="pegawai_list"),
    path("pegawai/add/", views_pegawai.pegawai_add, name="pegawai_add"),
    path("pegawai/<int:pk>/", views_pegawai.pegawai_detail, name="pegawai_detail"),
    path("pegawai/<int:pk>/edit/", views_pegawai.pegawai_edit, name="pegawai_edit"),
    # users, roles, integration accounts (views_users)
    path("users/", views_users.user_list, name="user_list"),
    path("users/add/", views_users.user_add, name="user_add"),
    path("users/<int:pk>/", views_users.user_detail, name="user_detail"),
    path("users/<int:pk>/roles/add/", views_users.role_add, name="role_add"),
    path("users/<int:pk>/roles/<int:assignment_pk>/revoke/", views_users.role_revoke, name="role_revoke"),
    path("users/<int:pk>/active/", views_users.user_toggle_active, name="user_toggle_active"),
    path("users/<int:pk>/totp-reset/", views_users.user_totp_reset, name="user_totp_reset"),
    path("users/<int:pk>/tokens/", views_users.user_token_add, name="user_token_add"),
]
